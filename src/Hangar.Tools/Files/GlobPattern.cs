using System.Text;
using System.Text.RegularExpressions;

namespace Hangar.Tools;

/// <summary>
/// A shell-style glob compiled to a regex over '/'-separated relative paths: <c>*</c> and <c>?</c>
/// stay within one path segment, <c>**</c> spans directories (<c>**/</c> also matches none),
/// <c>[abc]</c>/<c>[!abc]</c> are character classes and <c>{a,b}</c> alternatives.
/// </summary>
internal static class GlobPattern
{
    public static Regex Compile(string glob)
    {
        var regex = new StringBuilder("^");
        var braceDepth = 0;
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    var slashFollows = i + 2 < glob.Length && glob[i + 2] == '/';
                    regex.Append(slashFollows ? "(?:.*/)?" : ".*");
                    i += slashFollows ? 2 : 1;
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var close = glob.IndexOf(']', Math.Min(i + 2, glob.Length)); // a leading ']' is literal
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }
                    var body = glob[(i + 1)..close];
                    var negate = body.StartsWith('!') || body.StartsWith('^');
                    if (negate)
                        body = body[1..];
                    regex.Append(negate ? "[^" : "[").Append(body.Replace(@"\", @"\\").Replace("[", @"\[")).Append(']');
                    i = close;
                    break;
                case '{':
                    braceDepth++;
                    regex.Append("(?:");
                    break;
                case '}' when braceDepth > 0:
                    braceDepth--;
                    regex.Append(')');
                    break;
                case ',' when braceDepth > 0:
                    regex.Append('|');
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        for (; braceDepth > 0; braceDepth--)
            regex.Append(')');
        regex.Append('$');
        try
        {
            return new Regex(regex.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new ToolInputException($"glob: invalid pattern '{glob}': {e.Message}");
        }
    }
}

using System.Net;
using System.Text.RegularExpressions;

namespace Hangar.Sandbox.Network;

/// <summary>
/// HTML → readable plain text for web_fetch, deliberately simple: drop comments and non-content elements
/// (script, style, noscript, template, svg, head except its title), turn block boundaries into line
/// breaks (list items as "- item"), strip the remaining tags, decode entities and squeeze blank space.
/// </summary>
public static partial class HtmlText
{
    public static string Convert(string html)
    {
        var title = TitleRegex().Match(html) is { Success: true } m ? Squeeze(WebUtility.HtmlDecode(StripTags(m.Groups[1].Value))) : "";
        var text = CommentRegex().Replace(html, " ");
        text = DroppedRegex().Replace(text, " ");
        text = ListItemRegex().Replace(text, "\n- ");
        text = BreakRegex().Replace(text, "\n");
        text = WebUtility.HtmlDecode(StripTags(text));
        var body = Squeeze(text);
        return title.Length > 0 && !body.StartsWith(title, StringComparison.Ordinal) ? title + "\n\n" + body : body;
    }

    private static string StripTags(string html) => TagRegex().Replace(html, "");

    /// <summary>One line per block, inner whitespace collapsed, empty lines dropped.</summary>
    private static string Squeeze(string text) =>
        string.Join('\n', text.Split('\n').Select(line => SpaceRegex().Replace(line, " ").Trim()).Where(line => line.Length > 0));

    [GeneratedRegex(@"<title[^>]*>(.*?)</title\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex TitleRegex();

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"<(script|style|noscript|template|svg|head)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex DroppedRegex();

    [GeneratedRegex(@"<(br|/?p|/?div|/li|/?ul|/?ol|/?tr|/?table|/?h[1-6]|/?section|/?article|/?header|/?footer|/?nav|/?pre|/?blockquote|hr)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BreakRegex();

    [GeneratedRegex(@"<li\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ListItemRegex();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.Singleline)]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"[ \t\r\f\v\u00a0]+")]
    private static partial Regex SpaceRegex();
}

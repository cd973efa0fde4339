using System.Text;

namespace Hangar.Server.Endpoints;

/// <summary>
/// The <c>Content-Disposition</c> of a file download: always <c>attachment</c>, with an ASCII <c>filename</c>
/// (control characters, quotes and backslashes replaced, non-ASCII as <c>_</c>) for old clients and the exact
/// name as RFC 5987 <c>filename*=UTF-8''…</c>. A stored name can therefore never break out of the header
/// (CR/LF, a closing quote) or turn the download into inline content.
/// </summary>
public static class DownloadDisposition
{
    public static string Attachment(string filename)
    {
        var name = new StringBuilder(filename.Length);
        foreach (var rune in filename.EnumerateRunes())
        {
            // Control characters (CR, LF, NUL, DEL…) are dropped from both forms; they have no place in a file name.
            if (Rune.IsControl(rune))
                continue;
            name.Append(rune.ToString());
        }
        var clean = name.Length == 0 ? "download" : name.ToString();
        var ascii = new StringBuilder(clean.Length);
        foreach (var c in clean)
        {
            ascii.Append(c is < ' ' or > '~' or '"' or '\\' ? '_' : c);
        }
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Rfc5987(clean)}";
    }

    /// <summary>Percent-encodes everything but RFC 5987's attr-char set.</summary>
    private static string Rfc5987(string value)
    {
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || "!#$&+-.^_`|~".Contains(c, StringComparison.Ordinal))
                encoded.Append(c);
            else
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }
}

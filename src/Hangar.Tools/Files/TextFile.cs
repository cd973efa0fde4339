using System.Text;

namespace Hangar.Tools;

/// <summary>Reading a workspace file as text the way read and edit need it: regular, UTF-8, capped.</summary>
internal static class TextFile
{
    /// <summary>read/edit refuse files larger than this (256 KiB) rather than flood the context.</summary>
    public const int MaxBytes = 256 * 1024;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<string> ReadAsync(WorkspacePaths paths, string hostPath, CancellationToken ct)
    {
        var shown = paths.ToSandboxPath(hostPath);
        if (Directory.Exists(hostPath))
            throw new ToolInputException($"{shown} is a directory, not a file (use glob or bash ls to list it)");
        var info = new FileInfo(hostPath);
        if (!info.Exists)
            throw new ToolInputException($"{shown} does not exist");
        // FIFOs, sockets and devices report size 0 and could block or stream forever when opened;
        // an empty regular file reads as "" too, so size 0 is answered without opening anything.
        if (info.Length == 0)
            return "";
        if (info.Length > MaxBytes)
            throw new ToolInputException(
                $"{shown} is {info.Length} bytes, over the {MaxBytes / 1024} KiB limit; use bash (head, tail, sed -n 'X,Yp') to read parts of it");
        var bytes = await File.ReadAllBytesAsync(hostPath, ct);
        try
        {
            var text = Strict.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            throw new ToolInputException($"{shown} is not UTF-8 text (binary file?); inspect it with bash (file, xxd, strings)");
        }
    }
}

using System.Text;

namespace Hangar.Tools;

/// <summary>write{file_path, content}: creates missing parent directories and overwrites the file.</summary>
internal static class WriteTool
{
    private static readonly UTF8Encoding NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task<ToolResult> RunAsync(WorkspacePaths paths, ToolInput input, CancellationToken ct)
    {
        var hostPath = paths.ResolveForWrite(input.RequiredString("file_path"));
        var content = input.RequiredString("content");
        var shown = paths.ToSandboxPath(hostPath);
        if (Directory.Exists(hostPath))
            throw new ToolInputException($"{shown} is a directory");
        var parent = Path.GetDirectoryName(hostPath)!;
        if (File.Exists(parent))
            throw new ToolInputException($"{paths.ToSandboxPath(parent)} is a file, not a directory");
        Directory.CreateDirectory(parent);
        var bytes = NoBom.GetBytes(content);
        await File.WriteAllBytesAsync(hostPath, bytes, ct);
        return ToolResult.Text($"Wrote {bytes.Length} bytes to {shown}");
    }
}

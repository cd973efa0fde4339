using Hangar.Tools;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// The session's extra mounts, prepared on the host before its sandbox starts: each <c>file</c> resource
/// copied from the store into <c>&lt;session&gt;/files/&lt;file id&gt;</c> (root-owned, 0444; bound read-only at
/// its mount path, bwrap creating the parents) and <c>&lt;session&gt;/outputs</c> (owned by the session uid;
/// bound writable at <see cref="OutputsInside"/>). Both live beside the workspace, so they survive rebuilds.
/// </summary>
internal static class SessionMounts
{
    public const string OutputsInside = "/mnt/session/outputs";

    // Binding under these would hide or break what the sandbox itself needs (or fail: /usr is read-only).
    private static readonly string[] Reserved = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/proc", "/dev", "/run/sbx", "/opt/hangar", "/opt/env", OutputsInside];

    public static async Task<SessionLayout> PrepareAsync(SessionLayout session, IReadOnlyList<SandboxFile> files, Action<string, string> skipped, CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("bubblewrap sandboxes need Linux");
        var mounts = new List<BindMount>();
        var filesDirectory = Path.Join(session.Directory, "files");
        Directory.CreateDirectory(filesDirectory);
        File.SetUnixFileMode(filesDirectory, (UnixFileMode)Convert.ToInt32("711", 8));
        foreach (var file in files)
        {
            if (Refusal(file.MountPath) is { } refusal)
            {
                skipped(file.MountPath, refusal);
                continue;
            }
            var source = Path.Join(filesDirectory, Path.GetFileName(file.FileId));
            if (!File.Exists(source))
            {
                // File contents never change under an id: one copy per session serves every rebuild.
                if (await file.LoadAsync(ct) is not { } bytes)
                {
                    skipped(file.MountPath, $"the file {file.FileId} no longer exists");
                    continue;
                }
                var partial = source + ".partial";
                await File.WriteAllBytesAsync(partial, bytes, ct);
                File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                File.Move(partial, source, overwrite: true);
            }
            mounts.Add(new BindMount(source, file.MountPath, ReadOnly: true));
        }
        var outputs = Path.Join(session.Directory, "outputs");
        if (!Directory.Exists(outputs))
        {
            Directory.CreateDirectory(outputs);
            if (Native.LChown(outputs, (uint)session.Uid, (uint)session.Uid) != 0)
                throw new IOException($"chown {outputs} to {session.Uid} failed; the server must run as root");
            File.SetUnixFileMode(outputs, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        mounts.Add(new BindMount(outputs, OutputsInside, ReadOnly: false));
        return session with { Mounts = mounts };
    }

    /// <summary>The host's CA bundle (Debian layout), which the sandbox also sees through its read-only /etc/ssl.</summary>
    public const string HostCaBundle = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>Where the bundle goes when the host has none at <see cref="HostCaBundle"/> to bind over.</summary>
    public const string FallbackCaBundleInside = "/run/sbx/ca-certificates.crt";

    /// <summary>The variables common TLS stacks read for their trust store (OpenSSL, curl, requests, Node, git, pip).</summary>
    public static readonly IReadOnlyList<string> CaBundleVariables =
        ["SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "GIT_SSL_CAINFO", "PIP_CERT"];

    /// <summary>
    /// Makes the sandbox trust the egress proxy's CA (HTTPS to credential hosts is terminated there): the host's
    /// bundle plus <paramref name="caPem"/> in <c>&lt;session&gt;/ca-certificates.crt</c> (root-owned, 0444, replaced
    /// atomically at each sandbox start), bound read-only over the sandbox's bundle path, and the variables that
    /// point there. Only a certificate ever goes into it; the CA's key stays in the proxy's memory.
    /// </summary>
    public static (SessionLayout Session, IReadOnlyDictionary<string, string> Environment) AddTrustBundle(SessionLayout session, string caPem)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("bubblewrap sandboxes need Linux");
        var hostBundle = File.Exists(HostCaBundle) ? File.ReadAllText(HostCaBundle).TrimEnd() + "\n" : "";
        var source = Path.Join(session.Directory, "ca-certificates.crt");
        var partial = source + ".partial";
        File.WriteAllText(partial, hostBundle + "# Hangar sandbox egress proxy: HTTPS to credential hosts is terminated there\n" + caPem.TrimEnd() + "\n");
        File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(partial, source, overwrite: true);
        // Bind over the usual path so tools that ignore the variables (openssl's default, most curl builds) trust it
        // too; a symlinked bundle (another distribution's layout) could lead outside /etc/ssl, so that one is left alone.
        var hostFile = new FileInfo(HostCaBundle);
        var inside = hostFile.Exists && hostFile.LinkTarget is null ? HostCaBundle : FallbackCaBundleInside;
        var mounts = session.Mounts.Where(m => m.Target != inside).Append(new BindMount(source, inside, ReadOnly: true)).ToList();
        return (session with { Mounts = mounts }, CaBundleVariables.ToDictionary(name => name, _ => inside, StringComparer.Ordinal));
    }

    public static string? Refusal(string mountPath)
    {
        if (!mountPath.StartsWith('/') || mountPath.Split('/').Any(part => part is "." or "..") || mountPath.Contains('\0'))
            return "not an absolute path without '.' or '..' segments";
        var path = mountPath.TrimEnd('/');
        if (path is "" or "/workspace" or "/tmp" or "/etc" or "/run" or "/opt" or "/mnt" or "/mnt/session")
            return "it would hide a directory the sandbox needs";
        return Reserved.Any(r => path == r || path.StartsWith(r + "/", StringComparison.Ordinal))
            ? "it is inside a system directory of the sandbox"
            : null;
    }
}

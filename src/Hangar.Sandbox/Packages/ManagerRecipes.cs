namespace Hangar.Sandbox.Packages;

/// <summary>One command a manager runs in the build sandbox, with the environment it needs.</summary>
internal sealed record ManagerCommand(IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// How each non-apt manager installs into <c>/opt/env/&lt;manager&gt;</c> (its final mount path, so
/// shebangs and venv-like paths stay right), run inside the build sandbox as an unprivileged uid with
/// registry-only network. The tool must be in the host's /usr (what the sandbox sees); /usr/local and
/// home directories (pyenv, rustup) are hidden from sandboxes on purpose.
/// </summary>
internal static class ManagerRecipes
{
    /// <summary>The tool each manager needs, as seen inside the sandbox.</summary>
    public static string Tool(string manager) => manager switch
    {
        "npm" => "/usr/bin/npm",
        "pip" => "/usr/bin/python3",
        "cargo" => "/usr/bin/cargo",
        "gem" => "/usr/bin/gem",
        "go" => "/usr/bin/go",
        _ => throw new ArgumentOutOfRangeException(nameof(manager), manager, "not a sandboxed manager"),
    };

    public static IReadOnlyList<ManagerCommand> Commands(string manager, IReadOnlyList<string> packages)
    {
        var target = $"{PackageLayer.MountPoint}/{manager}";
        return manager switch
        {
            "npm" => [new(["/usr/bin/npm", "install", "--prefix", target, "--no-audit", "--no-fund", "--no-update-notifier",
                "--loglevel=error", .. packages], Env(("npm_config_cache", "/workspace/.npm")))],
            // --target + PYTHONPATH: works with Debian's EXTERNALLY-MANAGED python; one quick retry only, so an
            // unreachable index fails in seconds rather than minutes.
            "pip" => [new(["/usr/bin/python3", "-m", "pip", "install", "--target", target, "--no-input", "--disable-pip-version-check",
                "--no-warn-script-location", "--retries", "1", "--timeout", "8", .. packages], Env(("PIP_NO_CACHE_DIR", "1")))],
            "cargo" => [new(["/usr/bin/cargo", "install", "--root", target, .. packages], Env(("CARGO_HOME", "/workspace/.cargo")))],
            "gem" => [new(["/usr/bin/gem", "install", "--no-document", "--install-dir", target, "--bindir", $"{target}/bin", .. packages], Env())],
            // go install takes one module version per invocation; unpinned means latest (api.md: "unpinned = latest").
            "go" => [.. packages.Select(p => new ManagerCommand(["/usr/bin/go", "install", p.Contains('@') ? p : p + "@latest"],
                Env(("GOBIN", $"{target}/bin"), ("GOPATH", "/workspace/go"), ("GOCACHE", "/workspace/.cache/go"), ("GOFLAGS", "-modcacherw"))))],
            _ => throw new ArgumentOutOfRangeException(nameof(manager), manager, "not a sandboxed manager"),
        };
    }

    private static Dictionary<string, string> Env(params (string Name, string Value)[] pairs) => pairs.ToDictionary(p => p.Name, p => p.Value);
}

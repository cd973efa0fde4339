using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// An environment's <c>config.packages</c> (api.md §6): six lists, installed in alphabetical order of
/// manager. <see cref="Hash"/> names its layer: the same lists (in the same order) share one layer, any
/// change (an environment update) gives a new one.
/// </summary>
public sealed partial record PackagesSpec(IReadOnlyList<(string Manager, IReadOnlyList<string> Packages)> Managers)
{
    /// <summary>Bump when the layer layout or build recipe changes, so old layers are not reused.</summary>
    private const string LayoutVersion = "hangar-layer-v1";

    public static readonly IReadOnlyList<string> ManagerNames = ["apt", "cargo", "gem", "go", "npm", "pip"];

    public bool IsEmpty => Managers.All(m => m.Packages.Count == 0);

    public string Hash
    {
        get
        {
            var canonical = new StringBuilder(LayoutVersion);
            foreach (var (manager, packages) in Managers)
                canonical.Append('\n').Append(manager).Append(':').AppendJoin('\0', packages);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..32];
        }
    }

    /// <summary>
    /// The packages of an environment config (its <c>config</c> object, or an object holding it under
    /// "config"). Missing or null lists are empty. A name that could pass as an option (leading '-') or
    /// holds whitespace is refused here, before any manager sees it.
    /// </summary>
    public static PackagesSpec FromEnvironmentConfig(JsonObject? config)
    {
        if (config?["config"] is JsonObject inner)
            config = inner;
        var packages = config?["packages"] as JsonObject;
        var managers = new List<(string, IReadOnlyList<string>)>();
        foreach (var manager in ManagerNames)
        {
            var names = (packages?[manager] as JsonArray ?? []).Select(n => n?.GetValue<string>()?.Trim()).OfType<string>().Where(n => n.Length > 0).ToList();
            foreach (var name in names)
            {
                if (name.StartsWith('-') || name.Length > 256 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                    throw new PackageInstallException(manager, [name], "not a valid package name");
                // apt-get reads more than names from its arguments (options, file paths, regexes, "name/release"):
                // only Debian's package-name grammar, optionally pinned to a version, reaches it.
                if (manager == "apt" && !AptPackage().IsMatch(name))
                    throw new PackageInstallException(manager, [name],
                        "not a Debian package name (lowercase letters, digits, '+', '-', '.'; at least two characters, starting with a letter or digit; optionally '=version')");
            }
            managers.Add((manager, names));
        }
        return new PackagesSpec(managers);
    }

    /// <summary>Debian Policy §5.6.1 (Package) and §5.6.12 (Version: [epoch:]upstream[-revision], upstream starting with a digit).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\A[a-z0-9][a-z0-9+.\-]+(?:=(?:[0-9]+:)?[0-9][A-Za-z0-9.+~\-]*)?\z")]
    private static partial System.Text.RegularExpressions.Regex AptPackage();
}

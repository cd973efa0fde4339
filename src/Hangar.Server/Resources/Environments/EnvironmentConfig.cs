using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Environments;

/// <summary>
/// An environment's <c>config</c>: <c>{type:"cloud", networking, packages}</c> or <c>{type:"self_hosted"}</c>.
/// Responses always carry the full cloud shape: networking is <c>unrestricted</c> or limited with all
/// three fields, packages has all six manager arrays.
/// </summary>
public static partial class EnvironmentConfig
{
    public const string Cloud = "cloud";
    public const string SelfHosted = "self_hosted";
    public static readonly string[] Managers = ["apt", "cargo", "gem", "go", "npm", "pip"];
    private const int MaxHosts = 256;
    private const int MaxPackages = 1000;

    public static JsonObject Default() => CloudConfig(Unrestricted(), EmptyPackages());

    /// <summary>
    /// Parses a config; on update <paramref name="current"/> is the stored one, whose omitted keys
    /// are kept (also inside <c>networking</c> of the same type and inside <c>packages</c>).
    /// </summary>
    public static JsonObject Parse(JsonObject body, JsonObject? current)
    {
        var config = JsonFields.OptionalObject(body, "config");
        if (config is null)
        {
            return current is null ? Default() : (JsonObject)current.DeepClone();
        }
        var currentType = (string?)current?["type"];
        var type = config.ContainsKey("type") || currentType is null
            ? JsonFields.Discriminator(config, "config", Cloud, SelfHosted)
            : currentType;
        if (currentType is not null && type != currentType)
        {
            throw new InvalidRequestException(
                $"config.type: an environment's type cannot change (it is '{currentType}', got '{type}'); create a new environment.",
                "invalid_config_type_change");
        }
        if (type == SelfHosted)
        {
            JsonFields.RejectUnknown(config, "config", "type");
            return new JsonObject { ["type"] = SelfHosted };
        }
        JsonFields.RejectUnknown(config, "config", "type", "networking", "packages");
        var networking = Networking(config, current?["networking"] as JsonObject);
        var packages = Packages(config, current?["packages"] as JsonObject);
        if ((string?)networking["type"] == "limited" && (bool?)networking["allow_package_managers"] != true
            && Managers.Any(m => packages[m]!.AsArray().Count > 0))
        {
            throw new InvalidRequestException(
                "config.networking.allow_package_managers: must be true when networking is 'limited' and packages are listed, so they can be installed.");
        }
        return CloudConfig(networking, packages);
    }

    private static JsonObject CloudConfig(JsonObject networking, JsonObject packages) =>
        new() { ["type"] = Cloud, ["networking"] = networking, ["packages"] = packages };

    private static JsonObject Unrestricted() => new() { ["type"] = "unrestricted" };

    private static JsonObject EmptyPackages()
    {
        var packages = new JsonObject { ["type"] = "packages" };
        foreach (var manager in Managers)
        {
            packages[manager] = new JsonArray();
        }
        return packages;
    }

    private static JsonObject Networking(JsonObject config, JsonObject? current)
    {
        const string path = "config.networking";
        var networking = JsonFields.OptionalObject(config, "networking", "config");
        if (networking is null)
        {
            return current is null ? Unrestricted() : (JsonObject)current.DeepClone();
        }
        var type = JsonFields.Discriminator(networking, path, "unrestricted", "limited");
        if (type == "unrestricted")
        {
            JsonFields.RejectUnknown(networking, path, "type");
            return Unrestricted();
        }
        JsonFields.RejectUnknown(networking, path, "type", "allowed_hosts", "allow_mcp_servers", "allow_package_managers");
        var keep = (string?)current?["type"] == "limited" ? current : null;
        var hosts = JsonFields.Has(networking, "allowed_hosts")
            ? JsonFields.OptionalStringArray(networking, "allowed_hosts", MaxHosts, 253, path) ?? []
            : keep?["allowed_hosts"]?.AsArray().Select(h => (string)h!).ToList() ?? [];
        foreach (var host in hosts.Where(h => !AllowedHost().IsMatch(h)))
        {
            throw new InvalidRequestException(
                $"{path}.allowed_hosts: '{host}' must be a bare host name or '*.example.com' (no scheme, port or path).");
        }
        return new JsonObject
        {
            ["type"] = "limited",
            ["allowed_hosts"] = new JsonArray([.. hosts.Select(h => (JsonNode)h)]),
            ["allow_mcp_servers"] = JsonFields.OptionalBool(networking, "allow_mcp_servers", path)
                ?? (bool?)keep?["allow_mcp_servers"] ?? false,
            ["allow_package_managers"] = JsonFields.OptionalBool(networking, "allow_package_managers", path)
                ?? (bool?)keep?["allow_package_managers"] ?? false,
        };
    }

    private static JsonObject Packages(JsonObject config, JsonObject? current)
    {
        const string path = "config.packages";
        var result = current is null ? EmptyPackages() : (JsonObject)current.DeepClone();
        var packages = JsonFields.OptionalObject(config, "packages", "config");
        if (packages is null)
        {
            return JsonFields.Has(config, "packages") ? EmptyPackages() : result;
        }
        JsonFields.RejectUnknown(packages, path, ["type", .. Managers]);
        if (packages.ContainsKey("type"))
        {
            JsonFields.Discriminator(packages, path, "packages");
        }
        foreach (var manager in Managers.Where(packages.ContainsKey))
        {
            var list = JsonFields.OptionalStringArray(packages, manager, MaxPackages, 512, path) ?? [];
            foreach (var package in list)
            {
                // Each name becomes one argument of `apt-get install`, `npm install`, …: one starting with '-' is
                // an option to that tool (apt's -o…Pre-Invoke runs a command), one starting with '.' or '/' a local path.
                if (package.Length == 0 || package[0] is '-' or '.' or '/' || package.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    throw new InvalidRequestException(
                        $"{path}.{manager}: '{package}' is not a package name (names may not start with '-', '.' or '/' or contain spaces or control characters).");
                }
            }
            result[manager] = new JsonArray([.. list.Select(p => (JsonNode)p)]);
        }
        return result;
    }

    [GeneratedRegex(@"^(\*\.)?([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$")]
    private static partial Regex AllowedHost();
}

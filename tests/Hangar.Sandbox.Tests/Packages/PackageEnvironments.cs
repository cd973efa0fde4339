using System.Text.Json.Nodes;

namespace Hangar.Sandbox.Tests.Packages;

/// <summary>Environment configs with packages, as the API stores them (all six lists present).</summary>
internal static class PackageEnvironments
{
    public static JsonObject With(string manager, params string[] packages)
    {
        var lists = new JsonObject { ["type"] = "packages" };
        foreach (var name in new[] { "apt", "cargo", "gem", "go", "npm", "pip" })
            lists[name] = new JsonArray();
        lists[manager] = new JsonArray([.. packages.Select(p => (JsonNode?)p)]);
        return new JsonObject
        {
            ["type"] = "cloud",
            ["networking"] = new JsonObject { ["type"] = "limited", ["allowed_hosts"] = new JsonArray(), ["allow_package_managers"] = true },
            ["packages"] = lists,
        };
    }
}

using System.Text.Json.Nodes;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// A built, sealed package layer: <c>&lt;data&gt;/layers/&lt;hash&gt;/</c> (root-owned, read-only to
/// sandboxes), mounted at <see cref="MountPoint"/>. <see cref="PathEntries"/> go before the sandbox's
/// PATH; <see cref="Environment"/> (LD_LIBRARY_PATH, NODE_PATH, PYTHONPATH, …) is set in its shell.
/// </summary>
public sealed record PackageLayer(string Hash, string Directory, IReadOnlyList<string> PathEntries, IReadOnlyDictionary<string, string> Environment)
{
    public const string MountPoint = "/opt/env";
    public const string ManifestName = "manifest.json";

    /// <summary>The layer in <paramref name="directory"/>, or null when it has no readable manifest (never finished).</summary>
    internal static PackageLayer? TryLoad(string hash, string directory)
    {
        var manifest = Path.Join(directory, ManifestName);
        if (!File.Exists(manifest))
            return null;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(manifest)) as JsonObject;
            if (json?["hash"]?.GetValue<string>() != hash)
                return null;
            var path = (json["path"] as JsonArray ?? []).Select(p => p!.GetValue<string>()).ToList();
            var env = (json["env"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
            return new PackageLayer(hash, directory, path, env);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    /// <summary>Writes the manifest last: with the rename that follows, it is what makes a layer "built".</summary>
    internal void WriteManifest(PackagesSpec spec, TimeSpan buildTime)
    {
        var json = new JsonObject
        {
            ["hash"] = Hash,
            ["packages"] = new JsonObject(spec.Managers.Select(m => KeyValuePair.Create(m.Manager, (JsonNode?)new JsonArray([.. m.Packages.Select(p => (JsonNode?)p)])))),
            ["built_at"] = DateTimeOffset.UtcNow.ToString("O"),
            ["build_ms"] = (long)buildTime.TotalMilliseconds,
            ["path"] = new JsonArray([.. PathEntries.Select(p => (JsonNode?)p)]),
            ["env"] = new JsonObject(Environment.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        };
        File.WriteAllText(Path.Join(Directory, ManifestName), json.ToJsonString(new() { WriteIndented = true }));
    }

    /// <summary>
    /// What the sandbox needs to use what landed in <paramref name="directory"/>: only directories that
    /// exist are listed, so an npm-only layer does not put apt paths first.
    /// </summary>
    internal static PackageLayer Describe(string hash, string directory)
    {
        string? Existing(string relative) => System.IO.Directory.Exists(Path.Join(directory, relative)) ? $"{MountPoint}/{relative}" : null;
        var multiarch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.Arm64 => "aarch64-linux-gnu",
            _ => "x86_64-linux-gnu",
        };
        var path = new[]
        {
            "npm/node_modules/.bin", "pip/bin", "cargo/bin", "gem/bin", "go/bin",
            "apt/usr/local/bin", "apt/usr/bin", "apt/bin", "apt/usr/sbin", "apt/usr/games",
        }.Select(Existing).OfType<string>().ToList();
        var env = new Dictionary<string, string>();
        void Set(string name, params string[] relatives)
        {
            var found = relatives.Select(Existing).OfType<string>().ToList();
            if (found.Count > 0)
                env[name] = string.Join(':', found);
        }
        Set("LD_LIBRARY_PATH", $"apt/usr/lib/{multiarch}", $"apt/lib/{multiarch}", "apt/usr/lib");
        Set("NODE_PATH", "npm/node_modules");
        Set("PYTHONPATH", "pip", "apt/usr/lib/python3/dist-packages");
        Set("PERL5LIB", "apt/usr/share/perl5", $"apt/usr/lib/{multiarch}/perl5");
        Set("GEM_PATH", "gem");
        return new PackageLayer(hash, directory, path, env);
    }
}

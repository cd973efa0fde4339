using System.Security.Cryptography;
using System.Text;

namespace Hangar.Harness.Mcp;

/// <summary>
/// The name the model calls an MCP tool by: <c>mcp__&lt;server&gt;__&lt;tool&gt;</c> (the prefix custom
/// tools may not use), kept within the Messages API's tool-name rule <c>[a-zA-Z0-9_-]{1,128}</c>:
/// other characters become <c>_</c>; a name that is too long or collides ends in a hash of the
/// server and tool names instead, so the same listing always yields the same names.
/// </summary>
public static class McpToolNames
{
    public const string Prefix = "mcp__";
    private const int MaxLength = 128;

    /// <param name="taken">Names already given this turn (built-in, custom and earlier MCP tools); the new name is added.</param>
    public static string For(string server, string tool, ISet<string> taken)
    {
        var name = Sanitise($"{Prefix}{server}__{tool}");
        if (name.Length > MaxLength || taken.Contains(name))
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(server + "\0" + tool)))[..12];
            name = name[..Math.Min(name.Length, MaxLength - hash.Length - 1)] + "_" + hash;
        }
        taken.Add(name);
        return name;
    }

    private static string Sanitise(string name) =>
        string.Create(name.Length, name, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_';
            }
        });
}

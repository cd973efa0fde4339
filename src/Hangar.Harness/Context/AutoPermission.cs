using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hangar.Harness.Context;

/// <summary>
/// The <c>auto</c> permission policy: classifies one tool call as allow, ask (<c>indeterminate</c>)
/// or deny (<c>high_risk</c>) from the tool's name and the input the model gave, nothing else —
/// tool results, fetched pages and MCP responses never reach it, so they cannot talk it into
/// anything. The rules are deliberately conservative (docs/harness.md, "Permission policy auto"):
/// only calls that cannot change anything are allowed, known destructive patterns are denied,
/// and every other call waits for the user like <c>always_ask</c>.
/// </summary>
public static partial class AutoPermission
{
    public const string HighRisk = "high_risk";
    public const string Indeterminate = "indeterminate";

    /// <summary>Built-in tools that only read the sandbox or search the web.</summary>
    private static readonly HashSet<string> ReadOnlyTools = new(StringComparer.Ordinal) { "read", "glob", "grep", "web_search" };

    /// <summary>Programs that only print; a command made of nothing else (and no redirection) is allowed.</summary>
    private static readonly HashSet<string> ReadOnlyPrograms = new(StringComparer.Ordinal)
    {
        "ls", "cat", "head", "tail", "wc", "pwd", "echo", "printf", "grep", "egrep", "fgrep", "rg", "which",
        "whoami", "id", "date", "stat", "file", "du", "df", "diff", "sort", "uniq", "tree", "basename",
        "dirname", "realpath", "true", "false", "uname", "cut", "tr", "nl", "less", "more", "cmp", "md5sum",
        "sha256sum", "jq", "hostname", "test", "[",
    };

    /// <summary>Git subcommands that only read the repository.</summary>
    private static readonly HashSet<string> ReadOnlyGit = new(StringComparer.Ordinal)
    {
        "status", "log", "diff", "show", "branch", "rev-parse", "ls-files", "blame", "remote", "describe",
    };

    /// <summary>Paths a write or edit must never touch: the system and credentials.</summary>
    private static readonly string[] ProtectedPaths =
        ["/etc/", "/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/boot/", "/proc/", "/sys/", "/dev/", "/root/.ssh/", "/.ssh/", "/.git/hooks/"];

    /// <summary>The <c>evaluation.evaluated_permission</c> for a built-in tool call.</summary>
    public static ToolPermission ForBuiltIn(string tool, JsonObject input)
    {
        if (ReadOnlyTools.Contains(tool))
        {
            return Allow();
        }
        return tool switch
        {
            "bash" => ForCommand((string?)(input["command"] as JsonValue) ?? ""),
            "write" or "edit" => IsProtectedPath((string?)(input["file_path"] as JsonValue) ?? "") ? Deny() : Ask(),
            _ => Ask(),
        };
    }

    /// <summary>An MCP tool: its name is all Hangar knows, so read verbs allow and delete verbs deny.</summary>
    public static ToolPermission ForMcp(string tool) =>
        McpDestructive().IsMatch(tool) ? Deny()
        : McpReadOnly().IsMatch(tool) ? Allow()
        : Ask();

    /// <summary>A bash command: denied when any known destructive pattern appears, allowed when read-only.</summary>
    public static ToolPermission ForCommand(string command)
    {
        if (command.Trim().Length == 0)
        {
            return Allow(); // a bare restart runs nothing
        }
        if (Destructive().IsMatch(command))
        {
            return Deny();
        }
        // Redirection, substitution and background jobs can do anything: leave those to the user.
        if (command.IndexOfAny(['>', '`', '(', '\n']) >= 0 || LoneAmpersand().IsMatch(command))
        {
            return Ask();
        }
        foreach (var part in CommandSeparators().Split(command))
        {
            var words = part.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }
            var readOnly = words[0] switch
            {
                "git" => words.Length > 1 && ReadOnlyGit.Contains(words[1]),
                "find" => !words.Any(w => w is "-delete" or "-exec" or "-execdir" or "-ok" or "-fprint"),
                "sed" => !words.Any(w => w.StartsWith("-i", StringComparison.Ordinal) || w.StartsWith("--in-place", StringComparison.Ordinal)),
                var program => ReadOnlyPrograms.Contains(program),
            };
            if (!readOnly)
            {
                return Ask();
            }
        }
        return Allow();
    }

    private static bool IsProtectedPath(string path) =>
        ProtectedPaths.Any(p => p.StartsWith("/.", StringComparison.Ordinal)
            ? path.Contains(p, StringComparison.Ordinal)
            : path.StartsWith(p, StringComparison.Ordinal));

    private static ToolPermission Allow() => Verdict("allow", null);

    private static ToolPermission Ask() => Verdict("ask", Indeterminate);

    private static ToolPermission Deny() => Verdict("deny", HighRisk);

    private static ToolPermission Verdict(string type, string? reasonCode)
    {
        var verdict = new JsonObject { ["type"] = type };
        if (reasonCode is not null)
        {
            verdict["reason_code"] = reasonCode;
        }
        return new(type, new JsonObject { ["type"] = "auto", ["evaluated_permission"] = verdict });
    }

    /// <summary>
    /// Whole-system damage, privilege escalation, running code fetched from the network and
    /// rewriting shared history: rm -r of /, ~, * or .., mkfs, dd onto a device, fork bombs,
    /// shutdown, recursive chmod/chown of /, curl|wget piped to a shell, sudo, git push --force.
    /// </summary>
    [GeneratedRegex(
        @"\brm\s+(-[a-zA-Z]*\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(-[a-zA-Z]+\s+)*(/|~|\*|\.\.|/\*|~/|\$HOME)(\s|$|;)|" +
        @"\bmkfs(\.\w+)?\b|\bdd\b[^;|]*\bof=/dev/|:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}|" +
        @"\b(shutdown|reboot|halt|poweroff)\b|\bch(mod|own)\s+-[a-zA-Z]*R[a-zA-Z]*\s+\S+\s+/(\s|$)|" +
        @"\b(curl|wget)\b[^|;]*\|\s*(sudo\s+)?(ba|z|da)?sh\b|(^|[;&|]\s*)sudo\b|\bgit\s+push\b[^;|]*(--force|\s-f\b)|>\s*/dev/sd")]
    private static partial Regex Destructive();

    [GeneratedRegex("(?<!&)&(?!&)")]
    private static partial Regex LoneAmpersand();

    [GeneratedRegex(@"\s*(?:&&|\|\||;|\|)\s*")]
    private static partial Regex CommandSeparators();

    [GeneratedRegex(@"^(get|list|search|read|describe|view|query|fetch|find|show)([_\-.]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex McpReadOnly();

    [GeneratedRegex(@"(^|[_\-.])(delete|destroy|drop|purge|wipe|truncate)([_\-.]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex McpDestructive();
}

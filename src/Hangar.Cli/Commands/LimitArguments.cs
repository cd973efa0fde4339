using System.CommandLine;
using System.Globalization;
using Hangar.Server;
using Hangar.Server.Http;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar serve</c>'s tenant limits (docs/operations.md "Limits"): each a flag, else its
/// environment variable, else the default of <see cref="RequestLimits"/> / <see cref="HangarServerOptions"/>.
/// Counts accept <c>unlimited</c>.
/// </summary>
internal sealed class LimitArguments
{
    private readonly List<(Option<string?> Option, string Variable, Func<RequestLimits, int?, RequestLimits> Set)> _counts = [];
    private readonly Option<long?> _maxBody = new("--max-request-body-bytes") { Description = "Largest request body outside file uploads (default 33554432 = 32 MB) [env: HANGAR_MAX_REQUEST_BODY_BYTES]" };
    private readonly Option<long?> _maxFile = new("--max-file-bytes") { Description = "Largest file upload (default 524288000 = 500 MB) [env: HANGAR_MAX_FILE_BYTES]" };
    private readonly Option<bool> _requireBeta = new("--require-beta-header")
    {
        Description = "Refuse managed-agents requests without 'anthropic-beta: managed-agents-2026-04-01' (default: accept them) [env: HANGAR_REQUIRE_BETA_HEADER]",
    };

    public LimitArguments()
    {
        Count("--rate-limit-create", "HANGAR_RATE_LIMIT_CREATE", "Create requests per minute per workspace", 300, (l, v) => l with { CreatePerMinute = v });
        Count("--rate-limit-read", "HANGAR_RATE_LIMIT_READ", "Read and other requests per minute per workspace", 1200, (l, v) => l with { ReadPerMinute = v });
        Count("--rate-limit-work", "HANGAR_RATE_LIMIT_WORK", "Requests per minute per workspace by self-hosted workers (environment keys, sessions tokens)", 1200, (l, v) => l with { WorkPerMinute = v });
        Count("--max-running-sessions", "HANGAR_MAX_RUNNING_SESSIONS", "Sessions running at once per workspace", 100, (l, v) => l with { RunningSessionsPerWorkspace = v });
        Count("--max-streams-per-session", "HANGAR_MAX_STREAMS_PER_SESSION", "Open event streams per session", 32, (l, v) => l with { StreamsPerSession = v });
        Count("--max-streams-per-key", "HANGAR_MAX_STREAMS_PER_KEY", "Open event streams per key", 256, (l, v) => l with { StreamsPerKey = v });
    }

    public void AddTo(Command command)
    {
        foreach (var (option, _, _) in _counts)
        {
            command.Options.Add(option);
        }
        command.Options.Add(_maxBody);
        command.Options.Add(_maxFile);
        command.Options.Add(_requireBeta);
    }

    /// <summary><paramref name="options"/> with the limits applied; throws <see cref="StoreArgumentException"/> naming a bad value.</summary>
    public HangarServerOptions Apply(ParseResult parse, HangarServerOptions options)
    {
        var limits = options.Limits;
        foreach (var (option, variable, set) in _counts)
        {
            var flag = parse.GetValue(option);
            if ((flag ?? Variable(variable)) is { } text)
            {
                limits = set(limits, Parse(() => RequestLimits.Parse(text, flag is null ? variable : option.Name)));
            }
        }
        return options with
        {
            Limits = limits,
            MaxRequestBodyBytes = Bytes(parse.GetValue(_maxBody), "HANGAR_MAX_REQUEST_BODY_BYTES") ?? options.MaxRequestBodyBytes,
            MaxFileBytes = Bytes(parse.GetValue(_maxFile), "HANGAR_MAX_FILE_BYTES") ?? options.MaxFileBytes,
            RequireBetaHeader = parse.GetValue(_requireBeta) || Variable("HANGAR_REQUIRE_BETA_HEADER")?.Trim().ToLowerInvariant() is "true" or "1",
        };
    }

    private void Count(string name, string variable, string what, int fallback, Func<RequestLimits, int?, RequestLimits> set) =>
        _counts.Add((new Option<string?>(name) { Description = $"{what}, or 'unlimited' (default {fallback}) [env: {variable}]" }, variable, set));

    private static long? Bytes(long? flag, string variable)
    {
        if (flag is { } value)
        {
            return value > 0 ? value : throw new StoreArgumentException($"{variable}: the byte count must be positive.");
        }
        if (Variable(variable) is not { } text)
        {
            return null;
        }
        return long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : throw new StoreArgumentException($"{variable}: '{text}' is not a positive byte count.");
    }

    private static int? Parse(Func<int?> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw new StoreArgumentException(e.Message);
        }
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

namespace Hangar.Cli.Runner;

/// <summary>What <c>hangar runner</c> was started with.</summary>
/// <param name="ApiUrl">The Hangar API, reached outbound only.</param>
/// <param name="EnvironmentId">The self_hosted environment whose queue this runner serves.</param>
/// <param name="Key">The environment key (<c>sk-ant-oat01-…</c>): the only credential the runner holds.</param>
/// <param name="Concurrency">Work items (sessions) served at once.</param>
/// <param name="MaxIdle">How long a session may sit idle after an <c>end_turn</c> before its item is released.</param>
/// <param name="DesiredTtl">The lease asked for on every heartbeat; null leaves the server's default.</param>
public sealed record RunnerSettings(
    Uri ApiUrl, string EnvironmentId, string Key, int Concurrency, TimeSpan MaxIdle, int? DesiredTtl)
{
    /// <summary>The longest tool output posted as is; longer output is saved in the workspace and previewed.</summary>
    public int MaxToolOutputChars { get; init; } = 100_000;
}

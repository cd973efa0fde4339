namespace Hangar.Storage;

/// <summary>
/// Where Hangar keeps its data: a PostgreSQL connection string when given, otherwise SQLite in
/// <see cref="DataDirectory"/> (created when missing).
/// </summary>
public sealed record StoreOptions(string? DataDirectory = null, string? ConnectionString = null)
{
    /// <summary>
    /// PostgreSQL connections this process may hold at once, besides its two LISTEN connections
    /// (docs/operations.md, "Sizing database connections"). Npgsql's own default (100) equals
    /// PostgreSQL's default max_connections, so two processes could exhaust the server; this
    /// budget is set per process instead. <c>Maximum Pool Size</c> in the connection string wins.
    /// </summary>
    public int PoolSize { get; init; } = DefaultPoolSize;

    /// <summary>Four processes at the default (4 × (20 + 2 listeners)) fit in max_connections=100 with room for admin sessions.</summary>
    public const int DefaultPoolSize = 20;

    /// <summary>
    /// The clock SQLite measures lease expiry and work age by (its leases are single-host); tests pass a
    /// fake one to expire leases without sleeping. PostgreSQL always uses the server's clock_timestamp().
    /// </summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// How long one SQLite group commit may run before later writes wait for the next group
    /// (bounds the first write's wait; null keeps the 20 ms default). Tests that count commits lift it.
    /// </summary>
    public TimeSpan? SqliteMaxGroupTime { get; init; }

    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".hangar");
}

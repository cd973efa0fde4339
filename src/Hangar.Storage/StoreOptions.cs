namespace Hangar.Storage;

/// <summary>
/// Where Hangar keeps its data: a PostgreSQL connection string when given, otherwise SQLite in
/// <see cref="DataDirectory"/> (created when missing).
/// </summary>
public sealed record StoreOptions(string? DataDirectory = null, string? ConnectionString = null)
{
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".hangar");
}

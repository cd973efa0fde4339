namespace Hangar.Storage;

// Temporary stand-in until the SQLite/PostgreSQL stores land (storage branch).
public static class HangarStore
{
    public static Task<IHangarStore> OpenAsync(StoreOptions options, CancellationToken ct) =>
        throw new NotSupportedException("The stores are not merged yet.");
}

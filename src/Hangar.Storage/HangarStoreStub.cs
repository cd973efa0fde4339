// TEMPORARY stub so the CLI builds before the real HangarStore lands on main. Delete on merge.
namespace Hangar.Storage;

public static class HangarStore
{
    public static Task<IHangarStore> OpenAsync(StoreOptions options, CancellationToken ct) =>
        throw new NotImplementedException("The Hangar store has not landed yet.");
}

namespace Hangar.Conformance.Tests.Hosting;

/// <summary>The storage backends every conformance test runs against.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>Theory data: one case per backend, so each test name shows which store failed.</summary>
public static class Stores
{
    public static TheoryData<StoreKind> All => new() { StoreKind.Sqlite, StoreKind.Postgres };
}

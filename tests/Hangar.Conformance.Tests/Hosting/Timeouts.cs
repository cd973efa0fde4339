namespace Hangar.Conformance.Tests.Hosting;

/// <summary>Every test gets a deadline so a hung server fails the test instead of the run.</summary>
public static class Timeouts
{
    public static CancellationToken Test(int seconds = 60) =>
        new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}

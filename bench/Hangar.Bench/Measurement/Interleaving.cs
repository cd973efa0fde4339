namespace Hangar.Bench;

/// <summary>
/// Runs variants in alternation (A,B,C, B,C,A, …) so that machine noise (other builds, thermal
/// changes) falls on every variant alike instead of on whichever ran during the noisy minute.
/// Each round starts one variant later, so no variant always runs right after the same other one.
/// </summary>
public static class Interleaving
{
    /// <summary>Runs <paramref name="rounds"/> rounds; <paramref name="progress"/> hears about every tenth of them.</summary>
    public static async Task RunAsync(int rounds, IReadOnlyList<Func<int, Task>> variants, CancellationToken ct, Action<string>? progress = null)
    {
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < variants.Count; k++)
            {
                ct.ThrowIfCancellationRequested();
                await variants[(round + k) % variants.Count](round);
            }
            if (progress is not null && (round + 1) % Math.Max(1, rounds / 10) == 0)
            {
                progress($"round {round + 1}/{rounds}");
            }
        }
    }
}

using System.CommandLine;

namespace Hangar.Cli.Commands;

/// <summary>Options about the harness workers that <c>hangar worker</c> and <c>hangar serve</c> share.</summary>
internal static class WorkerArguments
{
    /// <summary><c>--takeover-headroom N</c>; unset: as many as <c>--concurrency</c> (HarnessOptions.TakeoverHeadroom says why).</summary>
    public static Option<int?> TakeoverHeadroom()
    {
        var option = new Option<int?>("--takeover-headroom")
        {
            Description = "Sessions above --concurrency that only turns interrupted by a dead worker may use (default: as many as --concurrency; 0: none)",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0)
            {
                result.AddError("--takeover-headroom must be at least 0.");
            }
        });
        return option;
    }
}

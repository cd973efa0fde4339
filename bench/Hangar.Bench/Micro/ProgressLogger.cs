using System.Text.RegularExpressions;
using BenchmarkDotNet.Loggers;

namespace Hangar.Bench.Micro;

/// <summary>
/// BenchmarkDotNet's log, cut down for the runner's stderr: which benchmark is starting, and
/// errors. The errors are also kept, so a failed run can say why.
/// </summary>
public sealed partial class ProgressLogger(Action<string> progress) : ILogger
{
    private readonly List<string> _errors = [];
    private string _line = "";

    public string Id => nameof(ProgressLogger);

    public int Priority => 0;

    public IReadOnlyList<string> Errors => _errors;

    public void Write(LogKind logKind, string text)
    {
        if (logKind == LogKind.Error)
        {
            _line += text;
        }
    }

    public void WriteLine() => EndLine();

    public void WriteLine(LogKind logKind, string text)
    {
        if (logKind == LogKind.Error)
        {
            _line += text;
            EndLine();
        }
        else if (text.StartsWith("// Benchmark: ", StringComparison.Ordinal))
        {
            // "Type.'method': job(Toolchain=…, …) [Events=50]": the job is the same for all, drop it.
            progress("micro: " + JobPart().Replace(text["// Benchmark: ".Length..], ""));
        }
    }

    public void Flush()
    {
    }

    [GeneratedRegex(@": \w+\([^)]*\)")]
    private static partial Regex JobPart();

    private void EndLine()
    {
        // BenchmarkDotNet reports a config without exporters as an error; the runner writes its own results.
        if (_line.Contains("No exporters defined", StringComparison.Ordinal))
        {
            _line = "";
        }
        if (_line.Length > 0)
        {
            _errors.Add(_line);
            progress("micro: " + _line);
            _line = "";
        }
    }
}

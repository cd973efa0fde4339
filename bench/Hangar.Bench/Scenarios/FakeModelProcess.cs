using System.Diagnostics;
using System.Globalization;
using Hangar.FakeModel;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// The fake Messages server in a child process (this executable started with <see cref="ChildFlag"/>),
/// answering <see cref="ToolPrompt"/> with a <c>bash echo hi</c> call and, once the tool result is
/// in, a text; <see cref="TextOnly"/> gets a text at once (a turn without a tool call).
/// It lives outside the bench process so that what it keeps (it records every request) and its own
/// web server are not counted in the Hangar server's memory, as a real model provider would not be.
/// The child exits when its standard input closes, so it cannot outlive the bench.
/// </summary>
public sealed class FakeModelProcess : IAsyncDisposable
{
    public const string ChildFlag = "--fake-model-child";

    /// <summary>A user message asking for a tool turn.</summary>
    public const string ToolPrompt = "Run echo hi.";

    /// <summary>A user message asking for a text reply without a tool call.</summary>
    public const string TextOnly = "Just say hi.";

    private readonly Process _process;

    private FakeModelProcess(Process process, Uri baseUrl, string apiKey)
    {
        _process = process;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
    }

    public Uri BaseUrl { get; }

    public string ApiKey { get; }

    public int ProcessId => _process.Id;

    public static async Task<FakeModelProcess> StartAsync(TimeSpan timeToFirstToken, CancellationToken ct)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to start the fake model with.");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Run as `dotnet Hangar.Bench.dll`: the child needs the assembly named.
            start.ArgumentList.Add(typeof(FakeModelProcess).Assembly.Location);
        }
        start.ArgumentList.Add(ChildFlag);
        start.ArgumentList.Add(timeToFirstToken.TotalMilliseconds.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self}.");
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(60));
            var line = await process.StandardOutput.ReadLineAsync(limit.Token)
                ?? throw new InvalidOperationException("The fake model process exited before announcing its address.");
            var parts = line.Split(' ');
            return new FakeModelProcess(process, new Uri(parts[0]), parts[1]);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>The child's side: serve until standard input closes.</summary>
    public static async Task<int> RunChildAsync(IReadOnlyList<string> args)
    {
        var ttft = TimeSpan.FromMilliseconds(double.Parse(args[1], CultureInfo.InvariantCulture));
        await using var model = await FakeMessagesServer.StartAsync();
        // Keyed on the prompt, not on "is there a tool_result": after an interrupt the harness may
        // send the closed call's result together with the next prompt.
        model.Respond(request => (LastMessage(request) switch
        {
            var m when m.Contains(TextOnly, StringComparison.Ordinal) => FakeReply.Text("Hi."),
            var m when m.Contains(ToolPrompt, StringComparison.Ordinal) => FakeReply.ToolUse("bash", new { command = "echo hi" }),
            _ => FakeReply.Text("It printed hi."),
        }).WithTimeToFirstToken(ttft));
        await Console.Out.WriteLineAsync($"{model.BaseUrl} {model.ApiKey}");
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
        return 0;
    }

    /// <summary>The request's last message as JSON: what the reply answers (earlier turns don't count).</summary>
    private static string LastMessage(RecordedRequest request)
    {
        var messages = request.Messages;
        return messages.Count == 0 ? "" : messages[messages.Count - 1]!.ToJsonString();
    }

    /// <summary>The child's resident memory in bytes (0 when it cannot be read): how much the fake itself kept.</summary>
    public long ResidentBytes() => ProcessFootprint.ResidentBytesOf(_process.Id);

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        _process.Dispose();
    }
}

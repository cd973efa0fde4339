using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Scripted;

namespace Hangar.Harness.Tests.Models;

public sealed class ScriptedModelClientTests
{
    private static readonly JsonArray BuiltInTools = new(
        new JsonObject { ["name"] = "bash", ["input_schema"] = new JsonObject { ["type"] = "object" } },
        new JsonObject { ["name"] = "read", ["input_schema"] = new JsonObject { ["type"] = "object" } },
        new JsonObject { ["name"] = "write", ["input_schema"] = new JsonObject { ["type"] = "object" } });

    [Fact]
    public async Task A_tool_loop_with_the_built_in_tools_writes_reads_lists_and_ends_the_turn()
    {
        var folder = Directory.CreateTempSubdirectory("hangar-scripted-");
        try
        {
            var client = new ScriptedModelClient(TimeSpan.Zero);
            var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"Please create {folder.FullName}/notes.txt" });
            var used = new List<string>();
            ModelResponse response;
            var rounds = 0;
            do
            {
                Assert.True(++rounds <= 6, "the scripted model must end the turn");
                var body = new JsonObject { ["model"] = "scripted", ["max_tokens"] = 1024, ["tools"] = BuiltInTools.DeepClone(), ["messages"] = messages.DeepClone() };
                response = await client.StreamAsync(new ModelRequest(body), NullModelStreamObserver.Instance, Requests.Deadline());
                messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray([.. response.Content.Select(b => b.DeepClone())]) });
                var results = new JsonArray();
                foreach (var call in response.Content.Where(b => (string?)b["type"] == "tool_use"))
                {
                    used.Add((string)call["name"]!);
                    results.Add(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = (string?)call["id"], ["content"] = await RunAsync(call) });
                }

                if (results.Count > 0)
                {
                    messages.Add(new JsonObject { ["role"] = "user", ["content"] = results });
                }
            }
            while (response.StopReason == "tool_use");

            Assert.Equal("end_turn", response.StopReason);
            Assert.Equal(["write", "read", "bash"], used);
            Assert.Contains("Hello from Hangar's scripted model.", File.ReadAllText(Path.Combine(folder.FullName, "notes.txt")));
            var summary = (string)response.Content.Single()["text"]!;
            Assert.Contains("notes.txt", summary); // the ls output came back into the summary
            Assert.True(response.Usage.InputTokens > 0);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_tools_it_answers_in_text_and_ends_the_turn()
    {
        var response = await new ScriptedModelClient(TimeSpan.Zero)
            .StreamAsync(Requests.Ask("How are you?", model: "scripted"), NullModelStreamObserver.Instance, Requests.Deadline());

        Assert.Equal("end_turn", response.StopReason);
        Assert.Contains("How are you?", (string)Assert.Single(response.Content)["text"]!);
    }

    [Fact]
    public async Task Text_streams_word_by_word()
    {
        var observer = new RecordingObserver();
        var clock = Stopwatch.StartNew();

        var response = await new ScriptedModelClient(TimeSpan.FromMilliseconds(5))
            .StreamAsync(Requests.Ask("Hello there", model: "scripted"), observer, Requests.Deadline());

        var text = (string)response.Content[0]["text"]!;
        Assert.Equal(text, observer.Text);
        Assert.True(observer.Events.Count(e => e.StartsWith("text:", StringComparison.Ordinal)) >= 5);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(25));
    }

    // The three built-in tools, for real, on the test's temp folder.
    private static async Task<string> RunAsync(JsonNode call)
    {
        var input = call["input"]!;
        switch ((string)call["name"]!)
        {
            case "write":
                await File.WriteAllTextAsync((string)input["file_path"]!, (string)input["content"]!);
                return "File written.";
            case "read":
                return await File.ReadAllTextAsync((string)input["file_path"]!);
            default:
                using (var bash = Process.Start(new ProcessStartInfo("bash", ["-c", (string)input["command"]!]) { RedirectStandardOutput = true })!)
                {
                    var output = await bash.StandardOutput.ReadToEndAsync();
                    await bash.WaitForExitAsync();
                    return output;
                }
        }
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar work list|stats|stop ENV_ID …</c>: an operator's view of a self-hosted environment's work queue,
/// with an API key (runners hold only environment keys).
/// </summary>
internal static class WorkCommand
{
    public static Command Create()
    {
        var command = new Command("work", "Self-hosted environments' work queues: items, stats, stopping an item");
        ClientOptions.AddTo(command);
        command.Subcommands.Add(List());
        command.Subcommands.Add(Stats());
        command.Subcommands.Add(Stop());
        return command;
    }

    private static Argument<string> Environment() => new("environment") { Description = "The self_hosted environment (env_…)" };

    private static string Path(ParseResult parse, Argument<string> environment) =>
        $"/v1/environments/{Uri.EscapeDataString(parse.GetValue(environment)!)}/work";

    private static Command List()
    {
        var environment = Environment();
        var limit = new Option<int>("--limit") { Description = "Page size", DefaultValueFactory = _ => 20 };
        var page = new Option<string?>("--page") { Description = "Page cursor from a previous list" };
        var key = new Option<string?>("--key") { Description = "An environment key: the API lists work items to workers' keys only [env: HANGAR_ENVIRONMENT_KEY]" };
        var json = ClientOptions.Json();
        var command = new Command("list", "List the environment's work items") { environment, limit, page, key, json };
        command.SetClientAction(async (parse, api, ct) =>
        {
            var query = $"?limit={parse.GetValue(limit)}"
                + (parse.GetValue(page) is { Length: > 0 } cursor ? $"&page={Uri.EscapeDataString(cursor)}" : "");
            var environmentKey = parse.GetValue(key) ?? System.Environment.GetEnvironmentVariable("HANGAR_ENVIRONMENT_KEY");
            using var worker = string.IsNullOrEmpty(environmentKey) ? null : new ApiClient(api.BaseUrl, environmentKey);
            var response = await (worker ?? api).GetAsync(Path(parse, environment) + query, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(response.Body);
                return 0;
            }
            ResourceView.Table(Terminal.Out, response.Json, [
                Column.Field("ID", "id"), Column.Field("SESSION", "data.id"), Column.Field("STATE", "state"),
                Column.Field("CREATED", "created_at"), Column.Field("HEARTBEAT", "latest_heartbeat_at")]);
            return 0;
        });
        return command;
    }

    private static Command Stats()
    {
        var environment = Environment();
        var json = ClientOptions.Json();
        var command = new Command("stats", "Queue depth, claimed-but-unacknowledged items, and runners polling in the last 30 s") { environment, json };
        command.SetClientAction(async (parse, api, ct) =>
        {
            var response = await api.GetAsync(Path(parse, environment) + "/stats", ct);
            Print(parse.GetValue(json), response);
            return 0;
        });
        return command;
    }

    private static Command Stop()
    {
        var environment = Environment();
        var workId = new Argument<string>("work-id") { Description = "The work item (work_…)" };
        var force = new Option<bool>("--force") { Description = "Stop at once instead of letting the runner finish its tool call (stopping)" };
        var json = ClientOptions.Json();
        var command = new Command("stop", "Stop a work item: its runner cancels and releases it") { environment, workId, force, json };
        command.SetClientAction(async (parse, api, ct) =>
        {
            var path = $"{Path(parse, environment)}/{Uri.EscapeDataString(parse.GetValue(workId)!)}/stop";
            var response = await api.PostAsync(path, new JsonObject { ["force"] = parse.GetValue(force) }, ct);
            Print(parse.GetValue(json), response);
            return 0;
        });
        return command;
    }

    private static void Print(bool json, ApiResponse response)
    {
        if (json)
        {
            Console.Out.WriteLine(response.Body);
        }
        else
        {
            ResourceView.Object(Terminal.Out, response.Json);
        }
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar agents …</c> and <c>hangar environments …</c>, plus the list/get builders sessions reuse.</summary>
internal static class ResourceCommands
{
    public static Command Agents()
    {
        var command = new Command("agents", "Agents: model, system prompt and tools");
        ClientOptions.AddTo(command);
        command.Subcommands.Add(List("/v1/agents", [
            Column.Field("ID", "id"), Column.Field("NAME", "name"), Column.Field("MODEL", "model.id"),
            Column.Field("VERSION", "version"), Column.Field("CREATED", "created_at")]));
        command.Subcommands.Add(Get("/v1/agents", "agent"));

        var name = new Option<string>("--name") { Description = "Agent name", Required = true };
        var model = new Option<string>("--model") { Description = "Model id, e.g. claude-sonnet-4-5", Required = true };
        var system = new Option<string?>("--system") { Description = "System prompt" };
        command.Subcommands.Add(Create("/v1/agents", "agent", [name, model, system], parse => new JsonObject
        {
            ["name"] = parse.GetValue(name),
            ["model"] = parse.GetValue(model),
            ["system"] = parse.GetValue(system),
        }));
        return command;
    }

    public static Command Environments()
    {
        var command = new Command("environments", "Environments: the sandbox a session's tools run in");
        ClientOptions.AddTo(command);
        command.Subcommands.Add(List("/v1/environments", [
            Column.Field("ID", "id"), Column.Field("NAME", "name"), Column.Field("CONFIG", "config.type"),
            Column.Field("CREATED", "created_at")]));
        command.Subcommands.Add(Get("/v1/environments", "environment"));

        var name = new Option<string>("--name") { Description = "Environment name (unique in the workspace)", Required = true };
        command.Subcommands.Add(Create("/v1/environments", "environment", [name], parse => new JsonObject
        {
            ["name"] = parse.GetValue(name),
        }));
        return command;
    }

    public static Command List(string path, IReadOnlyList<Column> columns)
    {
        var limit = new Option<int>("--limit") { Description = "Page size", DefaultValueFactory = _ => 20 };
        var page = new Option<string?>("--page") { Description = "Page cursor from a previous list" };
        var json = ClientOptions.Json();
        var command = new Command("list", "List one page") { limit, page, json };
        command.SetClientAction(async (parse, api, ct) =>
        {
            var query = $"?limit={parse.GetValue(limit)}";
            if (parse.GetValue(page) is { Length: > 0 } cursor)
            {
                query += $"&page={Uri.EscapeDataString(cursor)}";
            }
            var response = await api.GetAsync(path + query, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(response.Body);
            }
            else
            {
                ResourceView.Table(Terminal.Out, response.Json, columns);
            }
            return 0;
        });
        return command;
    }

    public static Command Get(string path, string noun)
    {
        var id = new Argument<string>("id") { Description = $"The {noun}'s id" };
        var json = ClientOptions.Json();
        var command = new Command("get", $"Show one {noun}") { id, json };
        command.SetClientAction(async (parse, api, ct) =>
        {
            var response = await api.GetAsync($"{path}/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(response.Body);
            }
            else
            {
                ResourceView.Object(Terminal.Out, response.Json);
            }
            return 0;
        });
        return command;
    }

    /// <summary>A create command: prints the new id on stdout (or the whole JSON with --json).</summary>
    public static Command Create(string path, string noun, IReadOnlyList<Option> options, Func<ParseResult, JsonObject> body)
    {
        var json = ClientOptions.Json();
        var command = new Command("create", $"Create a new {noun}") { json };
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
        command.SetClientAction(async (parse, api, ct) =>
        {
            var response = await api.PostAsync(path, WithoutNulls(body(parse)), ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(response.Body);
            }
            else
            {
                Terminal.Err.MarkupLine($"Created {noun}:");
                Console.Out.WriteLine(response.Json["id"]?.GetValue<string>());
            }
            return 0;
        });
        return command;
    }

    // Options the user left out are omitted rather than sent as null (null means "clear" on updates).
    private static JsonObject WithoutNulls(JsonObject body)
    {
        foreach (var key in body.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            body.Remove(key);
        }
        return body;
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using Hangar.Storage;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar env-keys create|list|revoke</c>: environment keys for self-hosted workers
/// (<c>hangar runner</c> or the SDKs' workers), written to the store directly like API keys.
/// A key reaches one self_hosted environment's work queue and the sessions it claims.
/// </summary>
internal static class EnvKeysCommand
{
    public static Command Create()
    {
        var keys = new Command("env-keys", "Manage environment keys of self-hosted environments");
        keys.Subcommands.Add(CreateKey());
        keys.Subcommands.Add(ListKeys());
        keys.Subcommands.Add(RevokeKey());
        return keys;
    }

    private static Command CreateKey()
    {
        var environment = new Argument<string>("environment") { Description = "The self_hosted environment (env_…)" };
        var (data, database) = (StoreArguments.Data(), StoreArguments.Database());
        var command = new Command("create", "Create an environment key; prints only the key on stdout") { environment, data, database };
        command.SetAction(async (parse, ct) =>
        {
            await using var store = await OpenAsync(parse, data, database, ct);
            var id = parse.GetValue(environment)!;
            var record = await store.Resources.FindAsync(ResourceKind.Environment, id, ct);
            if (record is null || (string?)JsonNode.Parse(record.Json)?["config"]?["type"] != "self_hosted")
            {
                Terminal.Err.MarkupLine($"[red]No self_hosted environment with id {Markup.Escape(id)}.[/]");
                return 1;
            }
            var (key, created) = await WorkCredentials.CreateEnvironmentKeyAsync(store.EnvironmentKeys, record.WorkspaceId, id, DateTimeOffset.UtcNow, ct);
            Terminal.Err.MarkupLine(
                $"Created environment key [bold]{created.Id}[/] for {Markup.Escape(id)}. It is shown once; only its hash is stored.");
            Console.Out.WriteLine(key);
            return 0;
        });
        return command;
    }

    private static Command ListKeys()
    {
        var environment = new Argument<string>("environment") { Description = "The environment (env_…)" };
        var (data, database) = (StoreArguments.Data(), StoreArguments.Database());
        var command = new Command("list", "List an environment's keys (ids and dates; never the keys)") { environment, data, database };
        command.SetAction(async (parse, ct) =>
        {
            await using var store = await OpenAsync(parse, data, database, ct);
            foreach (var key in await store.EnvironmentKeys.ListAsync(parse.GetValue(environment)!, ct))
            {
                var state = key.RevokedAt is { } at ? $"revoked {at:O}" : "active";
                Console.Out.WriteLine($"{key.Id}\tcreated {key.CreatedAt:O}\t{state}");
            }
            return 0;
        });
        return command;
    }

    private static Command RevokeKey()
    {
        var keyId = new Argument<string>("key-id") { Description = "The key's id (envkey_…, from `list`)" };
        var (data, database) = (StoreArguments.Data(), StoreArguments.Database());
        var command = new Command("revoke", "Revoke an environment key; its workers are refused from the next request on") { keyId, data, database };
        command.SetAction(async (parse, ct) =>
        {
            await using var store = await OpenAsync(parse, data, database, ct);
            if (!await store.EnvironmentKeys.RevokeAsync(parse.GetValue(keyId)!, DateTimeOffset.UtcNow, ct))
            {
                Terminal.Err.MarkupLine("[red]No such active environment key.[/]");
                return 1;
            }
            Terminal.Err.MarkupLine("Revoked.");
            return 0;
        });
        return command;
    }

    private static async Task<IHangarStore> OpenAsync(ParseResult parse, Option<string> data, Option<string?> database, CancellationToken ct) =>
        await HangarStore.OpenAsync(StoreArguments.Resolve(parse, data, database), ct);
}

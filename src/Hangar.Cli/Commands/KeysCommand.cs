using System.CommandLine;
using Hangar.Storage;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar keys create</c>: mints an API key by writing to the store directly, so it works
/// before any key exists (and without a running server).
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var workspace = new Option<string>("--workspace") { Description = "Workspace the key belongs to (created when missing)", Required = true };
        var data = StoreArguments.Data();
        var database = StoreArguments.Database();

        var create = new Command("create", "Create an API key; prints only the key on stdout");
        create.Options.Add(workspace);
        create.Options.Add(data);
        create.Options.Add(database);
        create.SetAction(async (parse, ct) =>
        {
            var store = StoreArguments.Resolve(parse, data, database);
            var name = parse.GetValue(workspace)!;
            await using var hangar = await HangarStore.OpenAsync(store, ct);
            await hangar.MigrateAsync(ct);
            var workspaceId = await hangar.Workspaces.EnsureAsync(name, ct);
            var key = ApiKeys.Generate();
            await hangar.Workspaces.AddKeyAsync(workspaceId, ApiKeys.Hash(key), ct);

            Terminal.Err.MarkupLine(
                $"Created a key for workspace [bold]{Markup.Escape(name)}[/] in {Markup.Escape(StoreArguments.Describe(store))}. " +
                "It is shown once; only its hash is stored.");
            Console.Out.WriteLine(key);
            return 0;
        });

        var keys = new Command("keys", "Manage API keys");
        keys.Subcommands.Add(create);
        return keys;
    }
}

namespace Hangar.Server.Tests.BadInput;

/// <summary>The dump the bad-input rows compare is not vacuous: it reads every table and sees an accepted write.</summary>
public abstract class DatabaseDumpTests(BadInputSeed server)
{
    [Fact]
    public async Task The_dump_holds_every_table_and_sees_a_write()
    {
        var before = await DatabaseDump.TakeAsync(server);
        foreach (var table in new[] { "workspaces", "api_keys", "resources", "agent_versions", "session_events", "file_contents", "vault_secrets", "environment_keys", "work_items", "work_pollers" })
        {
            Assert.Contains($"## {table}\n", before.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
        Assert.Contains(server.Ids["session"], before, StringComparison.Ordinal);

        var vault = await server.OkAsync(HttpMethod.Post, "/v1/vaults", """{"display_name":"dump probe"}""");
        var after = await DatabaseDump.TakeAsync(server);

        Assert.NotEqual(before, after);
        Assert.Contains((string)vault["id"]!, DatabaseDump.Diff(before, after), StringComparison.Ordinal);
        await server.OkAsync(HttpMethod.Delete, $"/v1/vaults/{vault["id"]}");
    }
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteDatabaseDumpTests(BadInputSeed server) : DatabaseDumpTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresDatabaseDumpTests(PostgresBadInputSeed server) : DatabaseDumpTests(server);

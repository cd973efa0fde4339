using Hangar.Storage.Postgres;
using Npgsql;

namespace Hangar.Storage.Tests;

/// <summary>
/// A transaction id is assigned at a transaction's first write, which can come before it waits for a
/// session's row lock: the feed must still show the session's events in log order when a transaction
/// that got its id earlier appends later.
/// </summary>
public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task AnAppendWhoseTransactionIdIsOlderThanThePreviousAppendsStillFollowsItInTheFeed()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var start = await ReadToEndAsync(FeedCursor.Start);

        await using var early = new NpgsqlConnection(_connectionString);
        await early.OpenAsync(Ct);
        await using var transaction = await early.BeginTransactionAsync(Ct);
        await using (var takeId = new NpgsqlCommand("SELECT pg_current_xact_id()", early, transaction))
        {
            await takeId.ExecuteScalarAsync(Ct); // This transaction's id is now older than the next append's.
        }

        await Store.Events.AppendAsync(workspace, session, [Event(), Event()], Ct); // seq 1, 2: a newer id, committed first.

        await using (var late = new NpgsqlCommand(PostgresAppend.Sql(), early, transaction))
        {
            late.Parameters.AddWithValue("ws", workspace);
            late.Parameters.AddWithValue("session", session);
            late.Parameters.AddWithValue("count", 1);
            late.Parameters.AddWithValue("ids", new[] { "sevt_" + Guid.NewGuid().ToString("N") });
            late.Parameters.AddWithValue("types", new[] { "user.message" });
            late.Parameters.AddWithValue("jsons", new[] { "{}" });
            late.Parameters.AddWithValue("processed", new DateTime?[] { null });
            await late.ExecuteNonQueryAsync(Ct); // seq 3, under the older id.
        }
        await transaction.CommitAsync(Ct);

        var page = await Store.Events.ReadFeedAsync(start, 50, Ct);
        Assert.Equal([1L, 2L, 3L], page.Events.Where(e => e.SessionId == session).Select(e => e.Seq));
    }
}

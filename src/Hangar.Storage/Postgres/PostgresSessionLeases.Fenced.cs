using System.Collections.Concurrent;
using Hangar.Storage.Sql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// The fenced write as one command (issue 14): with its transaction's COMMIT, two round trips. The UPDATE of the session row
/// that bumps its event head also checks the fence (epoch and owner), writes the new row when the
/// harness changed it (status and usage merged into the same write as the events and spans), clears
/// the work flag when nothing newer than what the harness saw is in the log (the head before this
/// write is exactly that), and the processed marks ride along as another CTE. The new row is computed
/// from the row this lease last wrote (kept per session and epoch): when anyone else changed the row
/// since (its revision moved) or this lease has not written it yet, the statement matches nothing,
/// writes nothing, and the transactional path of <see cref="SqlSessionLeases"/> does the write.
/// </summary>
internal sealed partial class PostgresSessionLeases
{
    private const string RowColumns =
        ", json = @json, revision = @revision, created_at = @created_at, archived_at = @archived_at, unique_name = @unique_name, "
        + "scope_id = @scope_id, agent_id = @agent_id, agent_version = @agent_version, status = @status, environment_id = @environment_id";

    private const string ClearWork =
        ", has_work = CASE WHEN @done AND event_head <= @seen THEN FALSE ELSE has_work END"
        + ", work_since = CASE WHEN @done AND event_head <= @seen THEN NULL ELSE work_since END";

    private const string Marks =
        ", marked AS (UPDATE session_events SET processed_at = @at WHERE session_id = @session AND processed_at IS NULL "
        + "AND id = ANY(@marks::text[]) AND EXISTS (SELECT 1 FROM head))";

    /// <summary>The session row as this process's fenced writes last left it, by session: only valid for the same epoch.</summary>
    private readonly ConcurrentDictionary<string, (long Epoch, ResourceRecord Row)> _rows = new(StringComparer.Ordinal);

    public override async Task<IReadOnlyList<EventRecord>> AppendFencedAsync(SessionLease lease, FencedWrite write, DateTimeOffset now, CancellationToken ct)
    {
        if (await TryAppendInOneStatementAsync(lease, write, now, ct) is { } stored)
        {
            _notifications.Publish(lease.SessionId);
            return stored;
        }
        ResourceRecord? written = null;
        var capture = write.UpdateSession is not { } updateSession ? null : new Func<ResourceRecord, ResourceRecord>(current =>
        {
            var next = updateSession(current);
            written = next with { Revision = current.Revision + 1 };
            return next;
        });
        var result = await base.AppendFencedAsync(lease, write with { UpdateSession = capture }, now, ct);
        if (written is not null)
        {
            _rows[lease.SessionId] = (lease.Epoch, written);
        }
        return result;
    }

    /// <summary>The one-statement write; null when it could not be used or matched nothing (then nothing was written).</summary>
    private async Task<IReadOnlyList<EventRecord>?> TryAppendInOneStatementAsync(SessionLease lease, FencedWrite write, DateTimeOffset now, CancellationToken ct)
    {
        var (events, updateSession) = (write.Events, write.UpdateSession);
        ResourceRecord? next = null;
        long expected = 0;
        if (updateSession is not null)
        {
            if (!_rows.TryGetValue(lease.SessionId, out var kept) || kept.Epoch != lease.Epoch)
            {
                return null;
            }
            expected = kept.Row.Revision;
            next = updateSession(kept.Row);
        }
        var stored = await _db.WriteAsync(async scope =>
        {
            await using var command = scope.Command(PostgresAppend.Sql(
                (next is null ? "" : RowColumns) + ClearWork,
                " AND lease_epoch = @epoch AND lease_owner = @owner" + (next is null ? "" : " AND revision = @expected"),
                Marks));
            command.WithEvents(_db, lease.WorkspaceId, lease.SessionId, events)
                .With("@epoch", lease.Epoch).With("@owner", lease.Owner)
                .With("@done", write.WorkDone).With("@seen", write.WorkSeenThroughSeq)
                .With("@at", _db.Time(now)).With("@marks", write.ProcessedEventIds?.ToArray() ?? []);
            if (next is not null)
            {
                command.With("@expected", expected).WithValues(_db, next, expected + 1);
            }
            return await PostgresAppend.RunAsync(command, lease.SessionId, events, ct);
        }, ct);
        if (stored is not null && next is not null)
        {
            _rows[lease.SessionId] = (lease.Epoch, next with { Revision = expected + 1 });
        }
        return stored;
    }

    /// <summary>A released lease's kept row is of no use to the next claim (a new epoch).</summary>
    protected override void Released(SessionLease lease)
    {
        if (_rows.TryGetValue(lease.SessionId, out var kept) && kept.Epoch == lease.Epoch)
        {
            _rows.TryRemove(KeyValuePair.Create(lease.SessionId, kept));
        }
    }
}

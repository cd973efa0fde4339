using Hangar.Contracts;

namespace Hangar.Server.Resources.Sessions;

/// <summary>State rules shared by the session routes (behaviour.md §2).</summary>
public static class SessionRules
{
    /// <summary>Archive, delete and config changes wait until the session stops running (interrupt first).</summary>
    public static void RefuseWhileRunning(StoredSession session, string action)
    {
        if (session.Status is "running" or "rescheduling")
        {
            throw new InvalidRequestException(
                $"The session is {session.Status} and cannot be {action} now; interrupt it and wait for session.status_idle first.");
        }
    }

    /// <summary>Archived and terminated sessions are read-only: retrying will not help, hence 409.</summary>
    public static void RefuseIfEnded(StoredSession session, string action)
    {
        if (session.IsArchived)
        {
            throw new ConflictException($"The session is archived; {action} is not allowed.");
        }
        if (session.Status == "terminated")
        {
            throw new ConflictException($"The session is terminated; {action} is not allowed.");
        }
    }
}

namespace Hangar.Harness.Mcp;

/// <summary>
/// An MCP server could not be used: <see cref="ErrorType"/> is the <c>session.error</c> type
/// (<c>mcp_connection_failed_error</c> or <c>mcp_authentication_failed_error</c>). The message names
/// the server and never contains a credential.
/// </summary>
public sealed class McpServerException(string errorType, string serverName, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public const string ConnectionFailed = "mcp_connection_failed_error";
    public const string AuthenticationFailed = "mcp_authentication_failed_error";

    public string ErrorType { get; } = errorType;

    public string ServerName { get; } = serverName;
}

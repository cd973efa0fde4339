namespace Hangar.Tools;

/// <summary>
/// A tool call the tool refuses (bad input, path outside the workspace, file too large...). The
/// sandbox turns it into an error result the model can read; it never reaches the harness.
/// </summary>
public sealed class ToolInputException(string message) : Exception(message);

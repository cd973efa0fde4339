namespace Hangar.Harness.Models;

/// <summary>Chooses the provider for a model id (configuration per model id).</summary>
public interface IModelRouter
{
    /// <summary>The client for <paramref name="modelId"/>; throws <see cref="ModelException"/> (InvalidRequest) for an unknown one.</summary>
    IModelClient For(string modelId);
}

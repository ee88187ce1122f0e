using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Restarts;

/// <summary>Marks a resource that <see cref="ResourceRestarter"/> starts again when it exits without being asked to.</summary>
public sealed record RestartPolicyAnnotation(RestartPolicyOptions Options) : IResourceAnnotation;

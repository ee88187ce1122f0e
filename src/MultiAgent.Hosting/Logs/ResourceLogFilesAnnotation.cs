using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Logs;

/// <summary>Marks a resource whose output <see cref="ResourceLogFiles"/> writes to files.</summary>
public sealed record ResourceLogFilesAnnotation(ResourceLogOptions Options) : IResourceAnnotation;

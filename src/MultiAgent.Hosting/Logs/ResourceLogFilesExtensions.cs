using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace MultiAgent.Hosting.Logs;

public static class ResourceLogFilesExtensions
{
    /// <summary>
    /// Writes the resource's output to <c>&lt;logs&gt;/&lt;resource&gt;/&lt;resource&gt;-&lt;yyyyMMdd&gt;.log</c> (see
    /// <see cref="ResourceLogOptions"/>, read from <c>MultiAgent:Logs</c>; the folder defaults to
    /// <c>&lt;dataRoot&gt;/logs</c>). Run mode only: a published deployment's platform keeps the containers' output.
    /// </summary>
    public static IResourceBuilder<T> WithLogFiles<T>(this IResourceBuilder<T> builder, string dataRoot)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var options = ResourceLogOptions.From(builder.ApplicationBuilder.Configuration, dataRoot);
        if (!options.Enabled)
        {
            return builder;
        }

        builder.ApplicationBuilder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ResourceLogFiles>());
        return builder.WithAnnotation(new ResourceLogFilesAnnotation(options), ResourceAnnotationMutationBehavior.Replace);
    }
}

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace MultiAgent.Hosting.Restarts;

public static class RestartPolicyExtensions
{
    /// <summary>
    /// Starts the resource again when it exits without being asked to (see <see cref="RestartPolicyOptions"/>, read from
    /// <c>MultiAgent:Restart</c>). Run mode only: in a published deployment the platform restarts containers.
    /// </summary>
    public static IResourceBuilder<T> WithRestartPolicy<T>(this IResourceBuilder<T> builder)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var options = RestartPolicyOptions.From(builder.ApplicationBuilder.Configuration);
        builder.ApplicationBuilder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ResourceRestarter>());
        return builder.WithAnnotation(new RestartPolicyAnnotation(options), ResourceAnnotationMutationBehavior.Replace);
    }
}

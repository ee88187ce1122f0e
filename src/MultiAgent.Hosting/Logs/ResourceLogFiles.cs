using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;

namespace MultiAgent.Hosting.Logs;

/// <summary>
/// Runs in the AppHost: writes the output of every resource that carries a <see cref="ResourceLogFilesAnnotation"/>
/// (what the dashboard's console view shows, across restarts) to files under <see cref="ResourceLogOptions.Directory"/>,
/// with Serilog's file sink doing the rolling and the clean-up. The folders are the owner's alone (mode 0700): output
/// may carry what a process should not have printed.
/// </summary>
public sealed partial class ResourceLogFiles(
    ResourceNotificationService notifications,
    ResourceLoggerService resourceLogs,
    ILogger<ResourceLogFiles> logger) : BackgroundService
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly HashSet<string> _watched = [];
    private readonly List<Task> _writers = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (update.Resource.TryGetLastAnnotation<ResourceLogFilesAnnotation>(out var files) && _watched.Add(update.ResourceId))
                {
                    _writers.Add(WriteAsync(update.Resource.Name, update.ResourceId, files.Options, stoppingToken));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }

        await Task.WhenAll(_writers);
    }

    private async Task WriteAsync(string resource, string resourceId, ResourceLogOptions options, CancellationToken stoppingToken)
    {
        var folder = options.FolderOf(resource);
        try
        {
            foreach (var path in new[] { options.Directory!, folder })
            {
                if (OperatingSystem.IsWindows())
                {
                    System.IO.Directory.CreateDirectory(path);
                }
                else
                {
                    System.IO.Directory.CreateDirectory(path, OwnerOnly);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCannotWrite(resource, folder, ex.Message);
            return;
        }

        await using var file = FileFor(folder, resource, options);
        try
        {
            await foreach (var batch in resourceLogs.WatchAsync(resourceId).WithCancellation(stoppingToken))
            {
                foreach (var line in batch)
                {
                    // DCP puts the time it read the line first; a line without one gets the time it is written here.
                    var (time, text) = SplitTime(line.Content);
                    time ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
                    if (line.IsErrorMessage)
                    {
                        file.Information("{Time} stderr {Text}", time, text);
                    }
                    else
                    {
                        file.Information("{Time} {Text}", time, text);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping; what was written is flushed on dispose.
        }
    }

    private static Logger FileFor(string folder, string resource, ResourceLogOptions options) =>
        new LoggerConfiguration()
            .WriteTo.File(
                Path.Combine(folder, resource + "-.log"),
                outputTemplate: "{Message:l}{NewLine}",
                rollingInterval: RollingInterval.Day,
                rollOnFileSizeLimit: true,
                fileSizeLimitBytes: options.FileSizeLimitBytes,
                retainedFileCountLimit: null,
                retainedFileTimeLimit: TimeSpan.FromDays(options.RetainedDays),
                flushToDiskInterval: TimeSpan.FromSeconds(1))
            .CreateLogger();

    private static (string? Time, string Text) SplitTime(string content)
    {
        var space = content.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && DateTimeOffset.TryParse(content.AsSpan(0, space), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
            ? (content[..space], content[(space + 1)..])
            : (null, content);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The output of {Resource} is not written to {Folder}: {Reason}")]
    private partial void LogCannotWrite(string resource, string folder, string reason);
}

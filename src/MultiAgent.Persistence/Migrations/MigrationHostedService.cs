using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>
/// Migrates the database while the host starts, before it serves any work. Migration runs in
/// <see cref="StartingAsync"/>, which the host calls before any hosted service's StartAsync, so the order of
/// registration does not matter; <see cref="StartAsync"/> migrates if that has not happened yet. Transient database
/// errors (server not up yet) are retried with back-off until the start-up token is cancelled; anything else,
/// such as a changed migration, fails the start.
/// </summary>
public sealed partial class MigrationHostedService(DatabaseMigrator migrator, ILogger<MigrationHostedService> logger)
    : IHostedLifecycleService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    private bool _migrated;

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => EnsureMigratedAsync(cancellationToken);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => EnsureMigratedAsync(cancellationToken);

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        var delay = FirstDelay;
        while (true)
        {
            try
            {
                await migrator.MigrateAsync(cancellationToken);
                _migrated = true;
                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                LogRetrying(delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable for migration, retrying in {DelaySeconds}s: {Reason}")]
    private partial void LogRetrying(double delaySeconds, string reason);
}

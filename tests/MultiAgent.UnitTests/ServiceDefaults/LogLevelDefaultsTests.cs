using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MultiAgent.UnitTests.ServiceDefaults;

/// <summary>Every service logs the framework's per-command and per-request lines only from Warning up, unless configured otherwise.</summary>
public sealed class LogLevelDefaultsTests
{
    [Fact]
    public void Sql_commands_requests_and_http_calls_are_quiet_by_default_and_the_services_own_lines_are_not()
    {
        using var host = Build([]);
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Npgsql.Command").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Npgsql.Command").IsEnabled(LogLevel.Warning));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("System.Net.Http.HttpClient.Default.LogicalHandler").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("MultiAgent.AgentRuntime.Tasks.TaskLoop").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Configuration_still_decides()
    {
        using var host = Build(["--Logging:LogLevel:Npgsql=Information"]);

        Assert.True(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Npgsql.Command").IsEnabled(LogLevel.Information));
    }

    private static IHost Build(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddServiceDefaults();
        return builder.Build();
    }
}

using MultiAgent.Contracts;
using Spectre.Console;

namespace MultiAgent.Cli.Output;

/// <summary>Human-readable output of the agents command.</summary>
internal static class AgentViews
{
    public static void Agents(Terminal terminal, AgentsReply reply, DateTimeOffset now)
    {
        if (reply.Agents.Count == 0)
        {
            terminal.WriteLine("No agents have reported yet.");
            return;
        }

        var table = terminal.NewTable("TYPE", "INSTANCE", "HEALTHY", "STATE", "UPTIME", "PROCESSED", "FAILED", "ERROR RATE", "AVG DURATION", "CPU", "MEMORY", "LAST HEARTBEAT");
        foreach (var agent in reply.Agents.OrderBy(a => a.AgentType).ThenBy(a => a.InstanceId, StringComparer.Ordinal))
        {
            table.AddRow(
                terminal.Styled(Wire.Name(agent.AgentType), "bold"),
                terminal.Styled(agent.InstanceId, ""),
                terminal.Styled(agent.Healthy ? "yes" : "no", agent.Healthy ? "green" : "red"),
                terminal.Styled(Wire.Name(agent.State), agent.State switch
                {
                    AgentState.Idle => "green",
                    AgentState.Busy => "blue",
                    _ => "yellow",
                }),
                terminal.Styled(Formats.Duration(TimeSpan.FromSeconds(agent.UptimeSeconds)), ""),
                terminal.Styled(Formats.Number(agent.TasksProcessed), ""),
                terminal.Styled(Formats.Number(agent.TasksFailed), agent.TasksFailed > 0 ? "red" : ""),
                terminal.Styled(Formats.Percent(agent.ErrorRate), agent.ErrorRate > 0.1 ? "red" : ""),
                terminal.Styled(agent.TasksProcessed == 0 ? Formats.None : Formats.Duration(TimeSpan.FromMilliseconds(agent.AverageDurationMs)), ""),
                terminal.Styled(Formats.Percent(agent.CpuPercent / 100), ""),
                terminal.Styled(agent.WorkingSetBytes == 0 ? Formats.None : Formats.Megabytes(agent.WorkingSetBytes), ""),
                terminal.Styled($"{Formats.Duration(now - agent.LastHeartbeat)} ago", ""));
        }

        terminal.Write(table);
        var healthy = reply.Agents.Count(a => a.Healthy);
        terminal.WriteLine($"{healthy} of {reply.Agents.Count} instance{(reply.Agents.Count == 1 ? "" : "s")} healthy");
    }
}

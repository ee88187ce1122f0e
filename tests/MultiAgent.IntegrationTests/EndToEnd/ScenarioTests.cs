using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>A class of scenarios on the shared topology, with a <see cref="SystemClient"/> for each test (put <c>[Collection(SystemCollection.Name)]</c> or, when it kills or stops a part, <c>[Collection(SystemFaultsCollection.Name)]</c> on the class).</summary>
public abstract class ScenarioTests(SystemFixture system) : IAsyncLifetime
{
    protected SystemFixture Fixture { get; } = system;

    protected SystemClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await SystemClient.ConnectAsync(Fixture);

    public async Task DisposeAsync() => await Client.DisposeAsync();
}

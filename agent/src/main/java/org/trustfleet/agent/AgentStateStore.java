package org.trustfleet.agent;

/**
 * Where the agent keeps its {@link AgentState} between runs. {@link FileAgentStateStore} writes a JSON file (an app's
 * private files directory on Android, a state directory on the JVM); an app may keep it elsewhere.
 */
public interface AgentStateStore {

    /** The saved state, or null when the agent never enrolled here. */
    AgentState loadOrNull();

    /** Replaces the saved state; after a crash either the old or the new state is there, never a mix. */
    void save(AgentState state);

    /** Where the state lives, for messages. */
    String describe();
}

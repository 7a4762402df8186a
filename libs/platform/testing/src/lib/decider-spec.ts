/**
 * Given/when/then for deciders, with no I/O:
 * `spec(decider).given(pastEvents).when(command).then(expectedEvents)` or `.thenThrows(matcher)`.
 */
export interface SpecDecider<State, Command, Event> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

export function deciderSpec<State, Command, Event>(decider: SpecDecider<State, Command, Event>) {
  return {
    given(history: readonly Event[]) {
      return {
        when(command: Command) {
          const run = () => decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
          return {
            then(expected: readonly Event[]) {
              expect(run()).toEqual(expected);
            },
            thenThrows(matcher: Record<string, unknown>) {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(Error);
              expect(thrown).toMatchObject(matcher);
            },
          };
        },
      };
    },
  };
}

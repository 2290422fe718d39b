// vitest's sequencer for `npm test`: the unit files first, then the others in vitest's own order
// (project by project, the longest first). All the projects run as one group (vitest.config.ts):
// the unit files need no database, so both workers run them while the run's database templates are
// made, and then go straight on to the files that need one instead of waiting at a group's end.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class UnitFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const unit = (spec: TestSpecification) => spec.project.name === 'unit';
    return [...sorted.filter(unit), ...sorted.filter((spec) => !unit(spec))];
  }
}

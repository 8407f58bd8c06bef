// The row contract is owned by @lathe/data; until that package has a manifest we import its
// types by path. Switch to `from '@lathe/data'` once packages/data/package.json exists.
export type {
  AnyRow,
  ImageRow,
  ImageShape,
  RecommendationRow,
  RowOf,
  TabularRow,
  TextRow,
  UseCase,
} from '../../data/src/rows.ts';

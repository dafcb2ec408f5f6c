import type { Migration } from '../migrate';
import { initial } from './0001-initial';
import { queryIndex } from './0002-query-index';
import { eventIdBlocks } from './0003-event-id-blocks';

/** Every migration, in the order it is applied. Append; never edit one that has shipped. */
export const migrations: readonly Migration[] = [initial, queryIndex, eventIdBlocks];

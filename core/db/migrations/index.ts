import type { Migration } from '../migrate';
import { initial } from './0001-initial';

/** Every migration, in the order it is applied. Append; never edit one that has shipped. */
export const migrations: readonly Migration[] = [initial];

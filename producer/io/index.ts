/** Reading and writing tables: the one door between files and Frames. */
export { readTable, readColumnNames, tableFormatOf, SUPPORTED_EXTENSIONS, type ReadTableOptions, type TableFormat } from './read-table.js';
export { writeParquet } from './parquet.js';
export { TableInputError, type TableInputProblem } from './errors.js';

// What a simulated farm is made of: real vendor daemons with some of their real feature names,
// and the people who check them out. Plain data; farm-layout.ts draws from it.

export interface VendorSpec {
  /** The vendor daemon's name, as FlexLM logs it in parentheses. */
  readonly daemon: string;
  readonly features: readonly string[];
}

export const VENDORS: readonly VendorSpec[] = [
  { daemon: 'adskflex', features: ['Maya_Complete', '3dsMax', 'AutoCAD', 'Inventor_Pro'] },
  { daemon: 'MLM', features: ['MATLAB', 'Simulink', 'Signal_Toolbox', 'Optimization_Toolbox'] },
  { daemon: 'ansyslmd', features: ['ANSYS_Mechanical', 'ANSYS_Fluent', 'ANSYS_HFSS'] },
  { daemon: 'cdslmd', features: ['Cadence_Virtuoso', 'Spectre', 'Allegro_PCB'] },
  { daemon: 'snpslmd', features: ['VCS', 'Design_Compiler', 'PrimeTime'] },
  { daemon: 'mgcld', features: ['Calibre_DRC', 'Questa_Sim'] },
];

export const USER_NAMES: readonly string[] = [
  'aschmidt', 'bkumar', 'cnguyen', 'dmueller', 'epatel', 'fgarcia', 'gwagner', 'hsharma', 'ijohnson', 'jdoe',
  'kfischer', 'lrao', 'mbrown', 'nweber', 'oiyer', 'psmith', 'qli', 'rbecker', 'sjoshi', 'twilliams',
  'uhoffmann', 'vreddy', 'wmiller', 'xchen', 'ykoch', 'zdesai', 'amartin', 'bschulz', 'cgupta', 'ddavis',
];

/** Why FlexLM refuses a checkout, with its error code, as its debug log words it. */
export const DENIAL_REASONS = {
  full: 'Licensed number of users already reached. (-4,342)',
  serverDown: 'Cannot connect to license server system. (-15,10:10061 "WinSock: Connection refused")',
} as const;

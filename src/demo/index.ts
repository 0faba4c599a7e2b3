/** Registers every module's demo records; imported once by the seed. */
import { demoExtensions } from './extensions.js'
import { districtDemo } from './district.js'
demoExtensions.push(districtDemo)
import { screeningDemo } from './screening.js'
demoExtensions.push(screeningDemo)
import { talksDemo } from './talks.js'
demoExtensions.push(talksDemo)
import { practicesDemo } from './practices.js'
demoExtensions.push(practicesDemo)
import { supportDemo } from './support.js'
demoExtensions.push(supportDemo)
import { inspectionDemo } from './inspection.js'
demoExtensions.push(inspectionDemo)
